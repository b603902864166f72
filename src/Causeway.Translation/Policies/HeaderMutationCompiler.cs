using System.Text.RegularExpressions;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// Checks an Envoy Gateway HTTPHeaderFilter of a ClientTrafficPolicy (<c>headers.earlyRequestHeaders</c>,
/// <c>headers.lateResponseHeaders</c>) and turns it into a <see cref="HeaderModifierIr"/>, the IR route header filters
/// use, so that the data plane compiles and runs both with the same code.
/// </summary>
internal static partial class HeaderMutationCompiler
{
    /// <summary>
    /// Headers that frame the message or belong to the connection: the gateway writes them itself on every transport,
    /// so an edit could not be honoured the same way everywhere (and on a request could desynchronise the framing).
    /// </summary>
    private static readonly HashSet<string> Managed = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "te", "trailer", "proxy-connection",
    };

    /// <summary>Null when <paramref name="spec"/> is null or edits nothing; problems are added naming <paramref name="field"/>.</summary>
    public static HeaderModifierIr? Compile(HeaderMutationSpec? spec, string field, bool response, List<string> errors, List<string> warnings)
    {
        if (spec is null) return null;
        foreach (var name in (spec.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            warnings.Add($"{field}.{name}: not supported by Causeway yet, ignored");
        var set = Pairs(spec.Set, $"{field}.set", response, errors, warnings);
        var add = Pairs(spec.Add, $"{field}.add", response, errors, warnings);
        var addIfAbsent = Pairs(spec.AddIfAbsent, $"{field}.addIfAbsent", response, errors, warnings);
        var remove = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < spec.Remove.Count; i++)
        {
            var name = spec.Remove[i];
            if (!CheckName(name, $"{field}.remove[{i}]", response, errors)) continue;
            if (seen.Add(name)) remove.Add(name);
        }
        var matches = new List<HeaderNameMatchIr>();
        for (var i = 0; i < spec.RemoveOnMatch.Count; i++)
        {
            var m = spec.RemoveOnMatch[i];
            var f = $"{field}.removeOnMatch[{i}]";
            HeaderValueMatchKind? kind = m.Type switch
            {
                null or "Exact" => HeaderValueMatchKind.Exact,
                "Prefix" => HeaderValueMatchKind.Prefix,
                "Suffix" => HeaderValueMatchKind.Suffix,
                "RegularExpression" => HeaderValueMatchKind.RegularExpression,
                _ => null,
            };
            if (kind is null) errors.Add($"{f}.type: \"{m.Type}\" is not Exact, Prefix, Suffix or RegularExpression");
            else if (m.Value.Length is 0 or > 1024) errors.Add($"{f}.value: must have 1 to 1024 characters");
            else if (kind == HeaderValueMatchKind.RegularExpression && RouteRegex.Problem(m.Value) is { } why) errors.Add($"{f}.value: {why}");
            // Names compare case-insensitively: the data plane matches lower-cased names.
            else matches.Add(new HeaderNameMatchIr(kind.Value, kind == HeaderValueMatchKind.RegularExpression ? m.Value : m.Value.ToLowerInvariant()));
        }
        if (set.Count == 0 && add.Count == 0 && addIfAbsent.Count == 0 && remove.Count == 0 && matches.Count == 0) return null;
        return new HeaderModifierIr
        {
            Set = set.Count == 0 ? EquatableArray<KeyValuePair<string, string>>.Empty : new(set),
            Add = add.Count == 0 ? EquatableArray<KeyValuePair<string, string>>.Empty : new(add),
            Remove = remove.Count == 0 ? EquatableArray<string>.Empty : new(remove),
            AddIfAbsent = addIfAbsent.Count == 0 ? null : (EquatableArray<KeyValuePair<string, string>>?)new EquatableArray<KeyValuePair<string, string>>(addIfAbsent),
            RemoveOnMatch = matches.Count == 0 ? null : (EquatableArray<HeaderNameMatchIr>?)new EquatableArray<HeaderNameMatchIr>(matches),
        };
    }

    private static List<KeyValuePair<string, string>> Pairs(IReadOnlyList<HttpHeader> headers, string field, bool response, List<string> errors, List<string> warnings)
    {
        var pairs = new List<KeyValuePair<string, string>>(headers.Count);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            var h = headers[i];
            var ok = CheckName(h.Name, $"{field}[{i}].name", response, errors);
            if (h.Value.Length > 4096 || !ValuePattern().IsMatch(h.Value))
            {
                errors.Add($"{field}[{i}].value: \"{h.Value}\" is not a header value (1 to 4096 printable US-ASCII characters, single spaces or tabs between them)");
                ok = false;
            }
            if (!ok) continue;
            // Gateway API: of entries with equivalent names, the first counts and the others are ignored.
            if (!seen.Add(h.Name))
            {
                warnings.Add($"{field}[{i}].name: \"{h.Name}\" repeats an earlier entry's name, ignored");
                continue;
            }
            pairs.Add(new(h.Name, h.Value));
        }
        return pairs;
    }

    private static bool CheckName(string name, string field, bool response, List<string> errors)
    {
        if (name.Length is 0 or > 256 || !NamePattern().IsMatch(name))
        {
            errors.Add($"{field}: \"{name}\" is not a header name (1 to 256 token characters)");
            return false;
        }
        if (Managed.Contains(name) || (response && string.Equals(name, "date", StringComparison.OrdinalIgnoreCase))
            || (!response && string.Equals(name, "expect", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{field}: \"{name}\" is managed by the gateway (framing and connection headers{(response ? ", Date" : ", Expect")}) and cannot be edited");
            return false;
        }
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[!-~]+([\\t ]?[!-~]+)*$")]
    private static partial Regex ValuePattern();
}
