import Inference

/// What a process must settle about the engine before it starts work, for the front-end's start-up
/// policy (Server's StartupPolicy), which owns the restart: the engine itself never re-execs.
public enum EngineStartup {
    /// The `OPENBLAS_CORETYPE` to restart with when OpenBLAS fell back to its generic kernels (read
    /// only when the library loads), nil when its choice stands.
    public static var blasCoreTypeOverride: String? { BLASKernels.coreTypeOverride }

    /// The kernels in use now.
    public static var blasCoreName: String { BLASKernels.coreName }

    /// The start-up log's words on the kernels; `pickedAtLoad`: what OpenBLAS had picked before a
    /// restart replaced it.
    public static func blasSummary(pickedAtLoad: String?) -> String { BLASKernels.summary(pickedAtLoad: pickedAtLoad) }
}
