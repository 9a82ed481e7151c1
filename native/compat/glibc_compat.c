/* Linked into every library of a Linux prebuild, which carries its own copy of libstdc++ so as to
 * need no GLIBCXX_ version of the user's, and must still load on glibc 2.34 (RHEL 9, Amazon Linux
 * 2023). Debian 12's libstdc++.a (GCC 12, built on glibc 2.36) calls arc4random, new in glibc
 * 2.36, for std::random_device; this hidden definition takes the call instead (neither ggml nor
 * gitcap uses std::random_device). getentropy is glibc 2.25. */
#include <stdint.h>
#include <unistd.h>

__attribute__((visibility("hidden"))) uint32_t arc4random(void) {
    uint32_t value = 0;
    while (getentropy(&value, sizeof value) != 0) {
        /* only fails without the getrandom system call (Linux < 3.17): nothing to fall back on */
        __builtin_trap();
    }
    return value;
}
