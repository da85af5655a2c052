import AdjustService
import HTTPCore

/// The service's route table. The adjustment endpoints arrive with the AdjustService pipeline;
/// what exists today is the operational surface an orchestrator needs.
enum ServiceRoutes {
    static func make() -> Router {
        var router = Router()
        router.get("/healthz") { _ in
            .text("ok\n")
        }
        return router
    }
}
