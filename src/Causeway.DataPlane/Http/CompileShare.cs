using Causeway.DataPlane.Http.FastPath;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Http;

/// <summary>
/// Identical immutable pieces of the routes one port compiles, made once and shared: header and query conditions
/// (with their regexes), path and method strings, and the fast-path targets of rules that send everything, unedited,
/// to one backend. With 10,000 routes that say the same thing (one header condition, ten path prefixes, one backend) a
/// request then reads a few shared, cache-resident objects instead of per-route copies spread over the heap, and the
/// strings it compares live together instead of wherever the loader allocated them. Not thread-safe: used while
/// compiling only.
/// </summary>
internal sealed class CompileShare
{
    private readonly Dictionary<string, string> _text = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ValueCondition[]> _conditions = new(StringComparer.Ordinal);
    private readonly Dictionary<BackendRuntime, FastTarget[]> _targets = new(ReferenceEqualityComparer.Instance);

    /// <summary>One copy of <paramref name="s"/> per compile (allocated here, next to the tables that use it).</summary>
    public string Text(string s)
    {
        if (_text.TryGetValue(s, out var shared)) return shared;
        shared = new string(s.AsSpan());
        _text[shared] = shared;
        return shared;
    }

    /// <summary>The conditions for <paramref name="irs"/>: one array (and one condition object) per distinct list.</summary>
    public ValueCondition[] Conditions(IReadOnlyList<ValueMatchIr> irs)
    {
        if (irs.Count == 0) return [];
        var key = string.Concat(irs.Select(c => $"{(int)c.Kind}:{c.Name.Length}:{c.Name}{c.Value.Length}:{c.Value}"));
        if (_conditions.TryGetValue(key, out var shared)) return shared;
        shared = [.. irs.Select(c => new ValueCondition(c with { Name = Text(c.Name), Value = Text(c.Value) }))];
        _conditions[key] = shared;
        return shared;
    }

    /// <summary>
    /// A rule's fast-path targets: the shared array when the rule has one target without header edits (all that
    /// matters then is the backend), else <paramref name="targets"/> itself.
    /// </summary>
    public FastTarget[]? FastTargets(FastTarget[]? targets)
    {
        if (targets is not [{ RequestEdits.Length: 0, ResponseEdits.Length: 0 } only]) return targets;
        if (_targets.TryGetValue(only.Backend, out var shared)) return shared;
        _targets[only.Backend] = targets;
        return targets;
    }
}
