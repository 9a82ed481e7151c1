#include "model/file_mapping.h"

#include "gitcap.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sys/stat.h>

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace gitcap {

size_t file_size_of(const std::string & path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        throw error(error_code::model_format, path + ": cannot open model file (" + std::strerror(errno) + ")");
    }
    if ((st.st_mode & S_IFMT) != S_IFREG) throw error(error_code::model_format, path + ": not a regular file");
    return (size_t) st.st_size;
}

#ifdef _WIN32
file_mapping::file_mapping(const std::string & path) {
    size_ = file_size_of(path);
    file_ = CreateFileA(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file_ == INVALID_HANDLE_VALUE) throw error(error_code::model_format, path + ": cannot open model file");
    handle_ = CreateFileMappingA(file_, nullptr, PAGE_READONLY, 0, 0, nullptr);
    if (!handle_) {
        CloseHandle(file_);
        throw error(error_code::model_format, path + ": cannot map model file");
    }
    addr_ = MapViewOfFile(handle_, FILE_MAP_READ, 0, 0, 0);
    if (!addr_) {
        CloseHandle(handle_);
        CloseHandle(file_);
        throw error(error_code::model_format, path + ": cannot map model file");
    }
}

void file_mapping::release(const void * p, size_t n) const {
    // unlocking pages that are not locked takes them out of the working set
    VirtualUnlock(const_cast<void *>(p), n);
}

file_mapping::~file_mapping() {
    if (addr_) UnmapViewOfFile(addr_);
    if (handle_) CloseHandle(handle_);
    if (file_) CloseHandle(file_);
}
#else
file_mapping::file_mapping(const std::string & path) {
    size_ = file_size_of(path);
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) throw error(error_code::model_format, path + ": cannot open model file (" + std::strerror(errno) + ")");
    addr_ = size_ ? mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0) : nullptr;
    const int map_errno = errno;
    close(fd);
    if (addr_ == MAP_FAILED) {
        addr_ = nullptr;
        throw error(error_code::model_format, path + ": cannot map model file (" + std::strerror(map_errno) + ")");
    }
#ifdef MADV_WILLNEED
    if (addr_) madvise(addr_, size_, MADV_WILLNEED);
#endif
}

void file_mapping::release(const void * p, size_t n) const {
    const uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
    const uintptr_t begin = ((uintptr_t) p + page - 1) & ~(page - 1), end = ((uintptr_t) p + n) & ~(page - 1);
    if (end > begin) madvise((void *) begin, end - begin, MADV_DONTNEED);
}

file_mapping::~file_mapping() {
    if (addr_) munmap(addr_, size_);
}
#endif

} // namespace gitcap
