namespace Causeway.Translation.Ir;

public enum CustomTagKind
{
    Literal,
    Environment,
    RequestHeader,
}
