# GPAW build configuration used by `make venv` (GPAW_CONFIG=<this file> pip install gpaw).
# Not imported by ptmlp. Measured on 2-core Debian 12 with g++ 12: builds gpaw 26.7.0 in ~30 s.
# compiler must be g++: GPAW's C sources include C++ headers; plain gcc stops at <algorithm>.
compiler = 'g++'
mpi = False          # labels run in parallel over frames (processes or mpi4py ranks), not inside GPAW
noblas = True        # scipy's BLAS is used
nolibxc = True       # built-in LDA, PBE, revPBE, RPBE only
fftw = False
scalapack = False
libraries = []
