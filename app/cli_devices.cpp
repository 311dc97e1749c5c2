// stepformer devices: the backends --device chooses from, and whether this build has each
// (DESIGN.md "Command line").
#include "app/cli.h"
#include "app/cli_options.h"

#include "core/model/kernels.h"
#include "core/model/parallel.h"

#include <iostream>

namespace sf::cli {

int devices(const QStringList& args)
{
    QCommandLineParser p;
    if (const int code = parseArgs(p, "devices", args); code >= 0) return code;
    if (!p.positionalArguments().isEmpty()) return fail("devices takes no arguments", Usage);
    for (const std::string& name : backendNames()) {
        const Kernels* k = findBackend(name);
        std::cout << name << ": ";
        if (!k) {
            std::cout << "not in this build\n";
        } else if (name == "cpu") {
#if defined(__AVX512F__)
            const char* simd = "AVX-512";
#elif defined(__AVX2__)
            const char* simd = "AVX2";
#else
            const char* simd = "scalar";
#endif
            std::cout << "available (the reference backend; " << simd << " kernels, " << threads() << " threads)\n";
        } else {
            std::cout << "available\n";
        }
    }
    return Ok;
}

}  // namespace sf::cli
