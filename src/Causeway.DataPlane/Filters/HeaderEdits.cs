using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>One header edit: set (replace every value), add (append to the existing values, joined by ","), remove.</summary>
internal enum HeaderOp { Set, Add, Remove }

internal sealed record HeaderEditStep(HeaderOp Op, HeaderText Name, HeaderText Value);

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
            foreach (var name in m.Remove) steps.Add(new(HeaderOp.Remove, new(name), new("")));
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

    /// <summary>Whether the byte transports can run these edits: names they do not manage themselves, plain values.</summary>
    public bool FitsHttp1()
    {
        foreach (var s in _steps)
        {
            if (Http1Syntax.IsManagedName(s.Name.Text) || !s.Value.IsPlain) return false;
        }
        return true;
    }

    public string Describe() => string.Join(", ", _steps.Select(s => s.Op switch
    {
        HeaderOp.Set => $"set {s.Name}={s.Value}",
        HeaderOp.Add => $"add {s.Name}={s.Value}",
        _ => $"remove {s.Name}",
    }));
}
