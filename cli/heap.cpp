// heap.cpp - see heap.hpp.
#include "cli/heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>

namespace pft::cli {

HeapReport prepare_load_heap(std::size_t pad) {
    static std::once_flag once;
    static HeapReport report;
    std::call_once(once, [pad] {
        const char* off = std::getenv("PFTRIAGE_NO_HUGEPAGES");
        if (off && *off && *off != '0') return;
        // The heap keeps `pad` bytes free at its top (trimming leaves it too) and grows
        // by at least that much whenever it must grow.
        if (mallopt(M_TOP_PAD, static_cast<int>(pad)) != 1) return;
        std::size_t top = mallinfo2().keepcost; // bytes free at the top of the main heap
        if (top < pad) {
            // Grow the heap now: an allocation larger than the free top, served from the
            // heap (under the mmap threshold), extends it by that size plus the pad; freed,
            // it returns to the top.
            mallopt(M_MMAP_THRESHOLD, static_cast<int>(pad * 2));
            void* volatile p = std::malloc(top + 4096); // volatile: the pair must not be elided
            std::free(p);
            top = mallinfo2().keepcost;
        }
        // Blocks up to 4 MiB come from the heap too (the file texts, the vectors of rules
        // and causes): glibc's default threshold, 128 KiB, would map and unmap each one, with
        // a fault per 4 KiB page, and setting M_TOP_PAD turned its dynamic adjustment off.
        mallopt(M_MMAP_THRESHOLD, 4 << 20);
        auto* brk_end = static_cast<char*>(sbrk(0));
        if (brk_end == reinterpret_cast<char*>(-1) || top == 0) return;
        const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
        const std::uintptr_t huge = 2u << 20; // x86-64 and arm64 (4 KiB pages): a PMD maps 2 MiB
        auto end = reinterpret_cast<std::uintptr_t>(brk_end);
        auto top_start = end - top;
        auto start = (top_start + page - 1) & ~(page - 1);
        if (end <= start || madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE) != 0) return;
        report.applied = true;
        report.reserved = end - start;
        // A huge page backs only a 2 MiB-aligned range whose pages are all untouched. The
        // heap's top rarely starts on such a boundary: the head up to it would fill 4 KiB page
        // by page. Take it as one block that is never touched (address space, not memory),
        // so that what the load allocates next starts on the boundary.
        auto aligned = (top_start + huge - 1) & ~(huge - 1);
        std::size_t gap = aligned - top_start; // a multiple of 16, as malloc's chunks are
        constexpr std::size_t header = sizeof(std::size_t);
        if (gap >= 1024 && aligned + huge <= end) {
            static void* volatile head = nullptr; // kept for the life of the process
            head = std::malloc(gap - header);     // a chunk of exactly `gap` bytes
            if (head != reinterpret_cast<void*>(top_start + 2 * header)) { // not carved from the top
                std::free(head);
                head = nullptr;
            }
        }
    });
    return report;
}

bool prepare_thread_heap() {
#ifdef __GLIBC__
    if (!prepare_load_heap().applied) return false;
    const std::uintptr_t huge = 2u << 20;
    // glibc's HEAP_MAX_SIZE on 64-bit systems: 2 * DEFAULT_MMAP_THRESHOLD_MAX = 64 MiB; a
    // thread arena's heap is a mapping of that size and alignment, its header first.
    const std::uintptr_t heap_max = std::uintptr_t(64) << 20;
    if (sizeof(void*) != 8) return false;
    void* probe = std::malloc(64);
    if (!probe) return false;
    auto p = reinterpret_cast<std::uintptr_t>(probe);
    auto brk_end = reinterpret_cast<std::uintptr_t>(sbrk(0));
    auto base = p & ~(heap_max - 1);
    // The main arena (the heap below the break) is prepare_load_heap's; a chunk far from its
    // mapping's start is not the fresh arena this expects.
    bool fresh = !(p < brk_end && p + (heap_max << 4) > brk_end) && p - base < (std::uintptr_t(64) << 10);
    bool applied = false;
    if (fresh && madvise(reinterpret_cast<void*>(base), heap_max, MADV_HUGEPAGE) == 0) {
        // The top of the arena starts right after the probe's chunk (it was carved from the
        // top): take the head up to the first 2 MiB boundary as a block never touched, then
        // grow the heap past the next boundary and give that back.
        constexpr std::uintptr_t header = sizeof(std::size_t);
        std::uintptr_t top_start = p - 2 * header + (malloc_usable_size(probe) + header);
        std::uintptr_t boundary = base + huge;
        if (top_start + 1024 < boundary) {
            // Kept for the life of the process (the arena outlives the thread), and reachable.
            static std::atomic<void*> heads[8];
            static std::atomic<unsigned> used{0};
            unsigned slot = used.fetch_add(1);
            void* head = slot < 8 ? std::malloc(boundary - top_start - header) : nullptr;
            if (head && head == reinterpret_cast<void*>(top_start + 2 * header)) {
                heads[slot].store(head);
                void* volatile grow = std::malloc(huge + (huge >> 2)); // under the 4 MiB mmap threshold
                std::free(grow);
                applied = true;
            } else {
                std::free(head);
            }
        }
    }
    std::free(probe);
    return applied;
#else
    return false;
#endif
}

} // namespace pft::cli
