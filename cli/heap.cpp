// heap.cpp - see heap.hpp. Everything here is a hint to malloc and to the kernel about
// this process's own memory: a wrong guess about the heap's layout is caught (a block
// not where it was expected is freed again) and costs nothing but the hint.
#include "cli/heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 33)
#define PFT_GLIBC_HEAP 1 // mallinfo2, M_TOP_PAD and glibc's arena layout
#endif
#endif

namespace pft::cli {

namespace {

constexpr int kGlibcDefault = 128 * 1024; // M_TOP_PAD and M_MMAP_THRESHOLD
constexpr std::uintptr_t kMinFreeMemory = std::uintptr_t(256) << 20;

HeapReport& report() {
    static HeapReport r;
    return r;
}

#ifdef PFT_GLIBC_HEAP
// A PMD maps one page of page-table entries: with 4 KiB pages, 512 x 4 KiB = 2 MiB.
std::uintptr_t huge_page_size() {
    auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    return page * (page / sizeof(void*));
}

// Takes the block [top_start, boundary) from the top of an arena, where top_start is where
// the arena's free top begins. True when malloc carved it exactly there.
bool set_aside(std::uintptr_t top_start, std::uintptr_t boundary, std::atomic<void*>& slot) {
    constexpr std::uintptr_t header = sizeof(std::size_t);
    if (boundary < top_start + 1024) return false;
    // malloc(n) takes a chunk of n + header bytes, rounded up to 16: exactly the gap.
    void* p = std::malloc(boundary - top_start - header);
    if (p != reinterpret_cast<void*>(top_start + 2 * header)) { // not carved from the top
        std::free(p);
        return false;
    }
    slot.store(p); // kept for the life of the process, reachable
    return true;
}
#endif

} // namespace

HeapReport prepare_load_heap(std::size_t pad) {
    static std::once_flag once;
    std::call_once(once, [pad] {
        HeapReport& rep = report();
#ifndef PFT_GLIBC_HEAP
        (void)pad;
        rep.reason = HeapSkip::NotGlibc;
        rep.skipped = "not glibc 2.33 or later";
#else
        const char* off = std::getenv("PFTRIAGE_NO_HUGEPAGES");
        if (off && *off && std::strcmp(off, "0") != 0) {
            rep.reason = HeapSkip::OptedOut;
            rep.skipped = "PFTRIAGE_NO_HUGEPAGES is set";
            return;
        }
        struct sysinfo si {};
        if (sysinfo(&si) != 0 || std::uintptr_t(si.freeram) * si.mem_unit < kMinFreeMemory) {
            rep.reason = HeapSkip::LowMemory;
            rep.skipped = "less than 256 MiB of free memory";
            return;
        }
        // The heap keeps `pad` bytes free at its top (trimming leaves it too) and grows by
        // at least that much whenever it must grow.
        if (mallopt(M_TOP_PAD, static_cast<int>(pad)) != 1) {
            rep.reason = HeapSkip::MalloptRefused; // also AddressSanitizer's malloc, whose mallopt refuses all
            rep.skipped = "mallopt refused the pad";
            return;
        }
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
        // and causes): at glibc's default threshold, 128 KiB, each would be mapped, faulted
        // page by page and unmapped (and setting M_TOP_PAD turned its dynamic adjustment off).
        mallopt(M_MMAP_THRESHOLD, 4 << 20);
        auto* brk_end = static_cast<char*>(sbrk(0));
        const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
        auto end = reinterpret_cast<std::uintptr_t>(brk_end);
        auto top_start = end - top;
        auto start = (top_start + page - 1) & ~(page - 1);
        if (brk_end == reinterpret_cast<char*>(-1) || top == 0 || end <= start ||
            madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE) != 0) {
            finish_load_heap(); // nothing gained: malloc's settings back
            rep.reason = HeapSkip::MadviseRefused;
            rep.skipped = "the kernel refused MADV_HUGEPAGE, or the heap is not where expected";
            return;
        }
        rep.applied = true;
        rep.reserved = end - start;
        // A huge page backs only a 2 MiB-aligned range whose pages are all untouched. The
        // heap's top rarely starts on such a boundary: the head up to it would fill 4 KiB
        // page by page. Taken as one block never touched, what the load allocates next
        // starts on the boundary.
        const std::uintptr_t huge = huge_page_size();
        auto aligned = (top_start + huge - 1) & ~(huge - 1);
        static std::atomic<void*> head{nullptr};
        if (aligned + huge <= end) rep.head_set_aside = set_aside(top_start, aligned, head);
#endif
    });
    return report();
}

bool prepare_thread_heap() {
#ifndef PFT_GLIBC_HEAP
    return false;
#else
    if (!prepare_load_heap().applied || sizeof(void*) != 8) return false;
    // With glibc.malloc.hugetlb tuned, heaps are sized from the huge page, not 64 MiB.
    if (const char* t = std::getenv("GLIBC_TUNABLES"); t && std::strstr(t, "hugetlb")) return false;
    const std::uintptr_t huge = huge_page_size();
    // glibc's HEAP_MAX_SIZE on 64-bit systems: 2 * DEFAULT_MMAP_THRESHOLD_MAX = 64 MiB; a
    // thread arena's heap is a mapping of that size and alignment, its header first.
    const std::uintptr_t heap_max = std::uintptr_t(64) << 20;
    void* probe = std::malloc(64);
    if (!probe) return false;
    auto p = reinterpret_cast<std::uintptr_t>(probe);
    auto brk_end = reinterpret_cast<std::uintptr_t>(sbrk(0)); // a heuristic: races are harmless
    auto base = p & ~(heap_max - 1);
    // Not the main arena (the heap below the break), and near its mapping's start: the
    // fresh arena this expects, whose top begins right after the probe's chunk.
    bool fresh = !(p < brk_end && p + (heap_max << 4) > brk_end) && p - base < (std::uintptr_t(64) << 10);
    bool applied = false;
    if (fresh && madvise(reinterpret_cast<void*>(base), heap_max, MADV_HUGEPAGE) == 0) {
        constexpr std::uintptr_t header = sizeof(std::size_t);
        std::uintptr_t top_start = p - 2 * header + (malloc_usable_size(probe) + header);
        static std::atomic<void*> heads[8];
        static std::atomic<unsigned> used{0};
        unsigned slot = used.fetch_add(1);
        // The arena was created with the pad usable: [base, base + 8 MiB) is already
        // read-write, so after the head the next 2 MiB ranges are ready for huge pages.
        if (slot < 8) applied = set_aside(top_start, base + huge, heads[slot]);
    }
    std::free(probe);
    return applied;
#endif
}

void finish_load_heap() {
#ifdef PFT_GLIBC_HEAP
    mallopt(M_TOP_PAD, kGlibcDefault);
    mallopt(M_MMAP_THRESHOLD, kGlibcDefault);
#endif
}

} // namespace pft::cli
