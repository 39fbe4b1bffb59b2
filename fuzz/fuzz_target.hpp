// The entry point every fuzz target defines, as libFuzzer calls it: one input, as bytes.
//
// A target feeds the input to one reader and returns 0. A reader may refuse the input
// with an sslflow::Error (that is what it is for); anything else — a crash, a sanitizer
// report, another exception, a hang — is a finding. Built with SSLFLOW_FUZZ, a target links
// libFuzzer's main; otherwise replay_main.cpp's, which runs the committed corpus.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
