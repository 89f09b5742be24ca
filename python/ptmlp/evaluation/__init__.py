"""Model validation against labelled data: errors per species and per P-T bin, parity plots."""
