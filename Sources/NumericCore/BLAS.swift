internal import COpenBLAS

/// The process-wide BLAS settings: the one global the numeric core has (STYLE.md, habit 4).
public enum BLASConfiguration {
    /// Sets the number of threads OpenBLAS itself may use. Persona parallelizes over row
    /// chunks and keeps BLAS single-threaded inside them, so the CLI sets this to 1.
    /// With one thread, OpenBLAS's idle worker threads are also stopped: right after start-up
    /// they spin on `sched_yield`, taking a core from the work that runs meanwhile.
    public static func setThreadCount(_ threads: Int) {
        openblas_set_num_threads(Int32(max(1, min(threads, Int(Int32.max)))))
        if threads <= 1 { _ = blas_thread_shutdown_() }
    }

    /// The OpenBLAS build and the kernel family it picked for this CPU.
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "OpenBLAS (unknown build)" }
        var text = String(cString: config)
        if let core = openblas_get_corename() {
            text += " [" + String(cString: core) + "]"
        }
        return text
    }
}

/// Thin, checked wrappers over the BLAS calls the core uses. Shapes are validated by the
/// callers before they get here (CBLAS prints rather than reports errors).
enum BLAS {
    /// `c[m×n] = alpha · a[m×k] · b[n×k]ᵀ + beta · c`, all row-major and contiguous.
    static func gemmABt(
        m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, b: UnsafePointer<Double>,
        beta: Double, c: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }
}
