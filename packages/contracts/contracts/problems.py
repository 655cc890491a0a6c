"""RFC 9457 problem details: the body of every error response."""

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Path to the offending field in the request.")
    msg: str


class Problem(BaseModel):
    type: str = Field(description="URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(
        default=None,
        exclude_if=lambda errors: errors is None,
        description="The fields at fault; present only for validation problems.",
    )
