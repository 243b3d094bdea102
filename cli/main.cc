#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  return okrbot::RunCli(argc, argv, std::cin, std::cout, std::cerr);
}
