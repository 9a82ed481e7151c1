// A read-only memory mapping of a whole file (POSIX mmap / Windows file mapping).
#pragma once

#include <cstddef>
#include <string>

namespace gitcap {

class file_mapping {
public:
    explicit file_mapping(const std::string & path); // throws gitcap::error(model_format) on failure
    ~file_mapping();
    file_mapping(const file_mapping &) = delete;
    file_mapping & operator=(const file_mapping &) = delete;

    const void * data() const { return addr_; }
    size_t size() const { return size_; }
    // Tells the OS that [p, p + n) will not be read again: its pages leave this process's memory
    // (they are read back from the file if they are). Only whole pages inside the range.
    void release(const void * p, size_t n) const;

private:
    void * addr_ = nullptr;
    size_t size_ = 0;
#ifdef _WIN32
    void * file_ = nullptr;
    void * handle_ = nullptr;
#endif
};

// Size of a file in bytes; throws gitcap::error(model_format) naming the file if it cannot be read.
size_t file_size_of(const std::string & path);

} // namespace gitcap
