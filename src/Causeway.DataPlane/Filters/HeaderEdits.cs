using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>
/// One header edit: set (replace every value), add (append to the existing values, joined by ","), remove, set only
/// when the header is absent, remove every line whose name matches (<see cref="HeaderNameMatch"/>).
/// </summary>
internal enum HeaderOp { Set, Add, Remove, SetIfAbsent, RemoveMatching }

/// <param name="Shown">What the printed plan shows instead of the value (a secret's fingerprint), or null.</param>
/// <param name="Match">For <see cref="HeaderOp.RemoveMatching"/>: the names removed.</param>
internal sealed record HeaderEditStep(HeaderOp Op, HeaderText Name, HeaderText Value, string? Shown = null, HeaderNameMatch? Match = null)
{
    // A secret value is never printed, whoever prints the step.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Op = ").Append(Op).Append(", Name = ").Append(Match?.Description ?? Name.Text).Append(", Value = ").Append(Shown ?? Value.Text);
        return true;
    }
}

/// <summary>
/// A precompiled list of header set/add/remove steps (HTTP header names are case-insensitive), with the one
/// definition of what each step does, run on any <see cref="IHeaderEditor"/>.
/// </summary>
internal sealed class HeaderEdits
{
    private readonly HeaderEditStep[] _steps;

    private HeaderEdits(HeaderEditStep[] steps) => _steps = steps;

    /// <summary>Combines the modifiers in order; null when there is nothing to do.</summary>
    public static HeaderEdits? Create(IEnumerable<HeaderModifierIr> modifiers)
    {
        var steps = new List<HeaderEditStep>();
        foreach (var m in modifiers)
        {
            foreach (var kv in m.Set) steps.Add(new(HeaderOp.Set, new(kv.Key), new(kv.Value)));
            foreach (var kv in m.Add) steps.Add(new(HeaderOp.Add, new(kv.Key), new(kv.Value)));
            if (m.AddIfAbsent is { } absent)
                foreach (var kv in absent) steps.Add(new(HeaderOp.SetIfAbsent, new(kv.Key), new(kv.Value)));
            foreach (var name in m.Remove) steps.Add(new(HeaderOp.Remove, new(name), new("")));
            if (m.RemoveOnMatch is { Count: > 0 } matches)
                steps.Add(new(HeaderOp.RemoveMatching, new(""), new(""), Match: new HeaderNameMatch(matches)));
        }
        return steps.Count == 0 ? null : new HeaderEdits([.. steps]);
    }

    /// <summary>
    /// A rule's or backendRef's request edits in the order its filters are written: RequestHeaderModifier and Envoy
    /// Gateway's <c>credentialInjection</c> (a set, or a set-if-absent without <c>overwrite</c>; printed as a
    /// fingerprint). Null when there is nothing to do.
    /// </summary>
    public static HeaderEdits? ForRequest(IEnumerable<HttpFilterIr> filters)
    {
        var steps = new List<HeaderEditStep>();
        foreach (var f in filters)
        {
            if (f.RequestHeaders is { } m && Create([m]) is { } edits) steps.AddRange(edits._steps);
            if (f.CredentialInjection is { } c)
                steps.Add(new(c.Overwrite ? HeaderOp.Set : HeaderOp.SetIfAbsent, new(c.Header), new(c.Credential.Value),
                    "<redacted " + c.Credential.Fingerprint + ">"));
        }
        return steps.Count == 0 ? null : new HeaderEdits([.. steps]);
    }

    /// <summary>The edits of <paramref name="first"/>, then those of <paramref name="second"/>; null when both are.</summary>
    public static HeaderEdits? Concat(HeaderEdits? first, HeaderEdits? second) =>
        first is null ? second : second is null ? first : new HeaderEdits([.. first._steps, .. second._steps]);

    public IReadOnlyList<HeaderEditStep> Steps => _steps;

    public void Apply<TEditor>(ref TEditor headers) where TEditor : struct, IHeaderEditor
    {
        foreach (var step in _steps)
        {
            switch (step.Op)
            {
                case HeaderOp.Set:
                    headers.RemoveAll(step.Name, keep: false);
                    headers.Add(step.Name, step.Value, afterKept: false);
                    break;
                case HeaderOp.Add:
                    headers.RemoveAll(step.Name, keep: true);
                    headers.Add(step.Name, step.Value, afterKept: true);
                    break;
                case HeaderOp.SetIfAbsent:
                    if (!headers.Has(step.Name)) headers.Add(step.Name, step.Value, afterKept: false);
                    break;
                case HeaderOp.RemoveMatching:
                    headers.RemoveMatching(step.Match!);
                    break;
                default:
                    headers.RemoveAll(step.Name, keep: false);
                    break;
            }
        }
    }

    public void Apply(Microsoft.AspNetCore.Http.IHeaderDictionary headers)
    {
        var editor = new DictionaryHeaderEditor(headers);
        Apply(ref editor);
    }

    /// <summary>Whether any step edits the header <paramref name="name"/>.</summary>
    public bool Touches(string name)
    {
        foreach (var s in _steps)
        {
            if (string.Equals(s.Name.Text, name, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Whether the byte transports can run these edits: names they do not manage themselves, plain values.</summary>
    public bool FitsHttp1()
    {
        foreach (var s in _steps)
        {
            // A name match never removes a header the byte transports manage (HeaderNameMatch leaves them alone).
            if (s.Op == HeaderOp.RemoveMatching) continue;
            if (Http1Syntax.IsManagedName(s.Name.Text) || !s.Value.IsPlain) return false;
        }
        return true;
    }

    public string Describe() => string.Join(", ", _steps.Select(s => s.Op switch
    {
        HeaderOp.Set => $"set {s.Name}={s.Shown ?? s.Value.Text}",
        HeaderOp.Add => $"add {s.Name}={s.Shown ?? s.Value.Text}",
        HeaderOp.SetIfAbsent => $"set-if-absent {s.Name}={s.Shown ?? s.Value.Text}",
        HeaderOp.RemoveMatching => $"remove-matching {s.Match!.Description}",
        _ => $"remove {s.Name}",
    }));
}
