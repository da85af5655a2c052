import HTTPCore

/// The browser page: `GET /` and its script and style sheet under `/ui/`, all embedded in the
/// binary (`WebAssets`, generated from `web/` by `make web-assets`) so a container or an installed
/// binary serves it with no files beside it.
///
/// The page only ever uses relative URLs (`ui/app.js`, `v1/adjust`), so it works unchanged behind
/// a reverse proxy that mounts the service under a path prefix.
struct WebRoutes: Sendable {
    /// Everything from this origin only, nothing inline: the page has no inline script or style,
    /// so an injected one cannot run. Images may also be `data:` (the favicon) and `blob:` (the
    /// photo and results the script shows); `frame-ancestors` keeps the page out of other sites' frames.
    static let contentSecurityPolicy = [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// Headers every page response carries. `no-cache` means "revalidate each time", not "do not
    /// store": the URLs carry no version, so a browser must ask (and gets a cheap 304) rather than
    /// run yesterday's script against today's API.
    static let headers: HTTPHeaders = [
        "Cache-Control": "no-cache",
        "Content-Security-Policy": contentSecurityPolicy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    ]

    /// Path → file; each path is also in `ServiceRoutes.knownRoutes`, so page requests have their own
    /// metrics labels.
    static let assets: [(path: String, asset: WebAsset)] = [
        ("/", WebAsset(WebAssets.indexHTML, contentType: "text/html; charset=utf-8")),
        ("/ui/app.js", WebAsset(WebAssets.appJS, contentType: "text/javascript; charset=utf-8")),
        ("/ui/style.css", WebAsset(WebAssets.styleCSS, contentType: "text/css; charset=utf-8")),
    ]

    func register(in router: inout Router) {
        for (path, asset) in Self.assets {
            router.get(path) { request in asset.response(to: request, headers: Self.headers) }
        }
    }
}
