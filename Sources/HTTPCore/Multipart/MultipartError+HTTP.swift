extension MultipartError {
    /// The HTTP answer to a bad multipart body: 413 for a size limit, 415 when the body is not
    /// multipart/form-data at all, 400 for anything malformed.
    public var httpError: HTTPError {
        let status: HTTPStatus
        if isSizeLimit {
            status = .contentTooLarge
        } else if case .notMultipartFormData = self {
            status = .unsupportedMediaType
        } else {
            status = .badRequest
        }
        return HTTPError(status, detail: description)
    }
}
