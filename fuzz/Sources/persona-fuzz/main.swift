import Foundation

// The process's entry point: hand the command line to libFuzzer, which calls `fuzzOneInput`.
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
