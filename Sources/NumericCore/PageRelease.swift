import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Hands the pages of memory that will not be read again back to the system while the
/// allocation that holds them stays alive (its owner frees it later as usual).
public enum PageRelease {
    /// Smallest span worth a system call.
    static let minimumBytes = 1 << 20

    /// Releases the whole pages of `bytes` between offset `released` and `below`, and moves
    /// `released` on to the last page boundary reached. Pages only partly below `below` stay.
    /// Afterwards those bytes read as zeros (Linux); elsewhere nothing happens.
    public static func release(_ bytes: UnsafeRawBufferPointer, below: Int, from released: inout Int) {
        guard let base = bytes.baseAddress else { return }
        let page = pageSize
        let address = Int(bitPattern: base)
        let firstPage = (address + page - 1) / page * page
        let start = max(firstPage, address + released)
        let end = (address + min(below, bytes.count)) / page * page
        guard end - start >= minimumBytes || (below >= bytes.count && end > start) else { return }
        #if canImport(Glibc)
        if let pointer = UnsafeMutableRawPointer(bitPattern: start) {
            _ = madvise(pointer, end - start, MADV_DONTNEED)
        }
        #endif
        released = end - address
    }

    /// Asks for 2 MiB pages for a large buffer that is about to be filled for the first time
    /// (Linux transparent huge pages, where the system leaves the choice to the program): a
    /// 1.28 GB matrix is then mapped in 640 faults instead of 330,000, and released columns go
    /// back whole. Contents are unchanged; buffers under 2 MiB and other systems are left as they
    /// are. The system's settings win: with /sys/kernel/mm/transparent_hugepage/enabled at
    /// `never` the advice does nothing, and its `defrag` setting decides how hard a fault tries.
    /// Returns whether any page was advised.
    @discardableResult
    public static func preferHugePages<T>(_ buffer: UnsafeMutableBufferPointer<T>) -> Bool {
        guard let base = buffer.baseAddress else { return false }
        return persona_prefer_huge_pages(base, Int64(buffer.count * MemoryLayout<T>.stride)) == 1
    }

    /// Makes glibc map every allocation of 1 MiB or more straight from the kernel and unmap it
    /// when freed (a fixed threshold, instead of one that grows with the largest block freed),
    /// so memory freed between stages of a large run is really given back. Without it, tens of
    /// megabytes of freed mid-sized buffers stay resident under the next stage's peak. The
    /// environment wins: nothing changes when `MALLOC_MMAP_THRESHOLD_` is set.
    public static func returnFreedMemoryPromptly() {
        _ = persona_fixed_mmap_threshold(1 << 20)
    }

    /// For a process that runs the same work on several partitions in turn (`persona step
    /// batch`, `batch-apply`, `split`): allocations up to 32 MiB (glibc's largest threshold)
    /// come from the heap, and up to 1 GiB of freed heap stays mapped, so the next partition
    /// reuses the pages the last one freed instead of faulting in new ones: 0.1–0.6 s of a
    /// 2.5–3.0 s persona_spark run on 1M rows and 2 cores, on a VM where a page's first touch
    /// is slow. The process's peak is one partition's, as before; it only keeps it until it
    /// exits. The environment wins.
    @discardableResult
    public static func keepFreedMemoryForReuse() -> Int {
        Int(persona_keep_freed_memory(32 << 20, 1 << 30))
    }

    public static let pageSize: Int = {
        #if canImport(Glibc)
        return max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
        #else
        return 4096
        #endif
    }()
}
