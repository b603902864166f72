using Causeway.Model;

namespace Causeway.Translation.Ir;

public enum ResponseOverrideSource { All, Local, Backend }

public enum HeaderValueMatchKind { Exact, Prefix, Suffix, RegularExpression }

public sealed record StatusRangeIr(int Start, int End);

public sealed record ResponseHeaderMatchIr(string Name, HeaderValueMatchKind Kind, string Value);

/// <summary>
/// One BackendTrafficPolicy <c>responseOverride</c> rule: a response (the backend's, the gateway's own, or both, by
/// <see cref="Source"/>) whose status is one of <see cref="Statuses"/> (any, when empty) and whose headers all match
/// is replaced by this one: <see cref="Status"/> (or the original's), <see cref="Body"/> with its content type, and
/// the header edits — or, with <see cref="Redirect"/>, by a redirect whose Location is built from the client's request
/// as a RequestRedirect filter's is. The first matching rule wins.
/// </summary>
public sealed record ResponseOverrideIr
{
    public EquatableArray<StatusRangeIr> Statuses { get; init; } = EquatableArray<StatusRangeIr>.Empty;
    public EquatableArray<ResponseHeaderMatchIr> Headers { get; init; } = EquatableArray<ResponseHeaderMatchIr>.Empty;
    public ResponseOverrideSource Source { get; init; } = ResponseOverrideSource.All;
    public int? Status { get; init; }
    public string? ContentType { get; init; }

    /// <summary>The body (inline, or a ConfigMap's <c>response.body</c> read at translation); null: empty.</summary>
    public string? Body { get; init; }

    public HeaderModifierIr? HeaderEdits { get; init; }

    /// <summary><c>redirect</c>: the response is a redirect (301 or 302) instead (null: the custom response above).</summary>
    public RedirectIr? Redirect { get; init; }
}
