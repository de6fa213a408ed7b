"""POST /api/files/upload: a file for the user's runs, named by the URI blocks take."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.types import AuthenticatedRequest
from apps.core.api.validation import validate_body, validate_query
from apps.files.api.serializers import UploadInput, UploadOutput, UploadQuery
from apps.files.services import file_store
from apps.files.uploads import FileSizeLimitHandler
from apps.files.uris import file_uri


class FileUploadApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[UploadQuery],
        request={"multipart/form-data": UploadInput},
        responses={200: UploadOutput},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        query = validate_query(UploadQuery, request)
        request._request.upload_handlers.insert(0, FileSizeLimitHandler(request._request))
        upload = validate_body(UploadInput, request)["file"]
        stored = file_store(
            user=request.user,
            content=upload,
            name=upload.name or "",
            expires_in_hours=query["expiration_hours"],
        )
        return Response(
            UploadOutput(
                {
                    "file_uri": file_uri(file_id=stored.id, name=stored.name),
                    "file_name": stored.name,
                    "size": stored.size,
                    "content_type": stored.content_type,
                    "expires_in_hours": query["expiration_hours"],
                }
            ).data
        )
