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
    errors: list[FieldError] | None = None
