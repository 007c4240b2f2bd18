from safetynet.core import context


class RequestContextMiddleware:
    """Gives every request an id, carried into the change and access logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-ID", "")[:32] or context.new_request_id()
        request.request_id = rid
        token = context.request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
