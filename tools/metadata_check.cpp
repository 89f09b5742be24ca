// ptmlp_metadata_check FILE...: the C++ metadata validator (cpp/metadata.cpp) on metadata.json
// texts, without libtorch. Prints one line per file, "OK <file>" or "ERROR <message>", and exits
// 0 when every file was read (the verdicts are the output). The shared test vectors in
// tests/data/metadata_vectors/ go through it and through python/ptmlp/metadata.py.
#include "errors.h"
#include "metadata.h"

#include <cstdio>
#include <fstream>
#include <sstream>

int main(int argc, char **argv)
{
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s metadata.json...\n", argv[0]);
    return 2;
  }
  for (int k = 1; k < argc; ++k) {
    std::ifstream in(argv[k], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot be read\n", argv[k]);
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
      ptmlp::parse_metadata(text.str(), argv[k]);
      std::printf("OK %s\n", argv[k]);
    } catch (const ptmlp::Error &e) {
      std::printf("ERROR %s\n", e.what());
    }
  }
  return 0;
}
