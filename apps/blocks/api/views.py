from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.blocks.base import BlockError, BlockInputError
from apps.blocks.selectors import block_get, blocks_catalog_json
from apps.blocks.services import block_execute_inline
from apps.core.api.errors import RequestValidationError
from apps.core.api.types import AuthenticatedRequest
from apps.core.exceptions import ApplicationError

# Each block's own input and output schemas (in the list) describe what its inputs and outputs carry.
BLOCK_LIST = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
BLOCK_OUTPUTS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {}},
    "description": "Each output pin's name and the values the block gave it, in order.",
}


class BlockListApi(APIView):
    @extend_schema(responses={200: BLOCK_LIST})
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        return HttpResponse(blocks_catalog_json(), content_type="application/json")


class BlockExecuteApi(APIView):
    documented_errors = {402: "Not enough credits to run it: top up first."}

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: BLOCK_OUTPUTS})
    def post(self, request: AuthenticatedRequest, block_id: str) -> Response:
        block = block_get(block_id=block_id)
        if not isinstance(request.data, dict):
            raise RequestValidationError({"body": ["Expected a JSON object of block inputs."]}, location="body")
        try:
            outputs = block_execute_inline(block=block, input_data=request.data, user_id=str(request.user.pk))
        except BlockInputError as error:
            raise RequestValidationError(error.field_errors, location="body") from error
        except BlockError as error:
            raise ApplicationError(str(error), code="BLOCK_ERROR") from error
        return Response(outputs)
