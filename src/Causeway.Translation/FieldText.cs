using System.Globalization;

namespace Causeway.Translation;

/// <summary>
/// A field path of a route (e.g. <c>spec.rules[0].backendRefs[1]</c>) that is rendered only when a message needs it:
/// resolving thousands of backendRefs that have no problem builds no strings.
/// </summary>
internal readonly struct FieldText
{
    private readonly string? _text;
    private readonly int _rule;
    private readonly int _backend;
    private readonly string? _suffix;

    private FieldText(string? text, int rule, int backend, string? suffix)
    {
        _text = text;
        _rule = rule;
        _backend = backend;
        _suffix = suffix;
    }

    /// <summary><c>spec.rules[rule]</c>, or <c>spec.rules[rule].backendRefs[backend]</c> when backend ≥ 0, then the suffix.</summary>
    public static FieldText Rule(int rule, int backend = -1, string? suffix = null) => new(null, rule, backend, suffix);

    public FieldText WithSuffix(string suffix) => _text is null ? new(null, _rule, _backend, _suffix + suffix) : new(_text + suffix, 0, 0, null);

    public static implicit operator FieldText(string text) => new(text, 0, 0, null);

    public override string ToString()
    {
        if (_text is not null) return _text;
        var rule = _rule.ToString(CultureInfo.InvariantCulture);
        return _backend < 0
            ? "spec.rules[" + rule + "]" + _suffix
            : "spec.rules[" + rule + "].backendRefs[" + _backend.ToString(CultureInfo.InvariantCulture) + "]" + _suffix;
    }
}
