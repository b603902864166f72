namespace Causeway.Model.Schema.Cel;

internal enum CelTokenKind
{
    End,
    Ident,
    Int,
    UInt,
    Double,
    String,
    Bytes,
    Punct,
}

internal readonly record struct CelToken(CelTokenKind Kind, string Text, object? Value, int Position);
