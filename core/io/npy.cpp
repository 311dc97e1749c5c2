#include "core/io/npy.h"

#include "core/io/files.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sf::io {

// Layout: "\x93NUMPY", major 1, minor 0, u16 little-endian header length, then an ASCII
// Python dict padded with spaces and ended by '\n' so the data starts 64-byte aligned.
Status writeNpy(const std::string& path, const Tensor& t)
{
    std::ostringstream dict;
    dict << "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    // Python tuples: (), (n,), (a, b), (a, b, c)
    for (size_t i = 0; i < t.shape.size(); ++i) dict << (i ? ", " : "") << t.shape[i];
    if (t.shape.size() == 1) dict << ",";
    dict << "), }";
    std::string h = dict.str();
    const size_t pre = 10;
    size_t total = pre + h.size() + 1;
    h.append((64 - total % 64) % 64, ' ');
    h.push_back('\n');

    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return error(path + ": cannot create the file");
    unsigned char magic[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                               static_cast<unsigned char>(h.size() & 0xff),
                               static_cast<unsigned char>(h.size() >> 8)};
    bool ok = std::fwrite(magic, 1, 10, f) == 10 && std::fwrite(h.data(), 1, h.size(), f) == h.size() &&
              std::fwrite(t.data.data(), sizeof(float), t.data.size(), f) == t.data.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) return error(path + ": write failed");
    return {};
}

Result<Tensor> readNpy(const std::string& path)
{
    Result<std::string> read = readFile(path, std::size_t(1) << 31);
    if (!read) return error(read.message());
    const std::string& bytes = *read;
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
        return error(path + ": not a .npy file");
    if (bytes[6] != 1 || bytes[7] != 0) return error(path + ": only .npy format 1.0 is read");
    const size_t hlen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    if (10 + hlen > bytes.size()) return error(path + ": header runs past the end");
    const std::string h = bytes.substr(10, hlen);
    if (h.find("'descr': '<f4'") == std::string::npos) return error(path + ": dtype is not '<f4'");
    if (h.find("'fortran_order': False") == std::string::npos) return error(path + ": not C order");
    const size_t a = h.find("'shape': ("), b = h.find(')', a);
    if (a == std::string::npos || b == std::string::npos) return error(path + ": no shape");
    Tensor t;
    std::string dims = h.substr(a + 10, b - a - 10);
    for (size_t p = 0; p < dims.size();) {
        size_t q = dims.find(',', p);
        std::string d = dims.substr(p, q == std::string::npos ? std::string::npos : q - p);
        if (d.find_first_not_of(' ') != std::string::npos) t.shape.push_back(std::stoll(d));
        if (q == std::string::npos) break;
        p = q + 1;
    }
    const size_t n = static_cast<size_t>(t.numel());
    if (bytes.size() != 10 + hlen + n * 4) return error(path + ": data size does not match the shape");
    t.data.resize(n);
    std::memcpy(t.data.data(), bytes.data() + 10 + hlen, n * 4);
    return t;
}

}  // namespace sf::io
