//! The API document's schemas of the types whose JSON is written by hand (`feature =
//! "openapi"`, for the server; the wasm build never has it).

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::field::Field;
use crate::wire::{OrderedText, Scalar};

impl PartialSchema for Field {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("a canonical field's snake_case name"))
            .enum_values(Some(Field::ALL.iter().map(|f| f.name())))
            .into()
    }
}

impl ToSchema for Field {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Field")
    }
}

impl PartialSchema for Scalar {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([
                Type::String,
                Type::Number,
                Type::Boolean,
                Type::Null,
            ]))
            .description(Some(
                "a value as text; numbers and booleans are read as the text they are written as, null as no value",
            ))
            .into()
    }
}

impl ToSchema for Scalar {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Scalar")
    }
}

impl PartialSchema for OrderedText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "the record's cells as read: column name → the cell's text, in the file's column order",
            ))
            .additional_properties(Some(AdditionalProperties::RefOr(
                ObjectBuilder::new().schema_type(Type::String).into(),
            )))
            .into()
    }
}

impl ToSchema for OrderedText {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("OrderedText")
    }
}
