#include "core/io/files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sf::io {

namespace {

const char* kindOf(mode_t mode)
{
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a plain file";
}

// Closes the descriptor on every way out.
struct Fd {
    int fd;
    ~Fd()
    {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

Result<std::string> readFile(const std::string& path, std::size_t maxBytes)
{
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
    if (f.fd < 0) {
        const int err = errno;
        if (err == ENOENT) return error(path + ": no such file", Text("errors.no_such_file").str("file", path));
        return error(path + ": cannot open for reading (" + std::strerror(err) + ")",
                     Text(err == EACCES ? "errors.permission_denied" : "errors.unreadable_file").str("file", path));
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) return error(path + ": cannot stat (" + std::strerror(errno) + ")");
    if (S_ISDIR(st.st_mode))
        return error(path + ": is a directory, not a file", Text("errors.directory_not_file").str("file", path));
    if (!S_ISREG(st.st_mode)) return error(path + ": is not a regular file (" + kindOf(st.st_mode) + ")");
    if (st.st_size < 0 || static_cast<unsigned long long>(st.st_size) > maxBytes)
        return error(path + ": larger than " + std::to_string(maxBytes) + " bytes");
    try {
        std::string bytes;
        bytes.resize(static_cast<std::size_t>(st.st_size));
        std::size_t have = 0;
        for (;;) {
            if (have == bytes.size()) {
                // The file may have grown since fstat: read on, up to the cap (and one byte
                // past it, to tell "exactly maxBytes" from "more").
                if (bytes.size() > maxBytes) return error(path + ": larger than " + std::to_string(maxBytes) + " bytes");
                bytes.resize(std::min(maxBytes + 1, std::max<std::size_t>(bytes.size() * 2, 4096)));
            }
            const ssize_t n = ::read(f.fd, &bytes[have], bytes.size() - have);
            if (n < 0) {
                if (errno == EINTR) continue;
                return error(path + ": read error (" + std::strerror(errno) + ")");
            }
            if (n == 0) break;
            have += static_cast<std::size_t>(n);
        }
        if (have > maxBytes) return error(path + ": larger than " + std::to_string(maxBytes) + " bytes");
        bytes.resize(have);
        return bytes;
    } catch (const std::bad_alloc&) {
        return error(path + ": out of memory reading " + std::to_string(st.st_size) + " bytes");
    }
}

}  // namespace sf::io
