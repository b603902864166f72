using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Http;

/// <summary>A precompiled list of header set/add/remove steps (HTTP header names are case-insensitive).</summary>
internal sealed class HeaderEdits
{
    private readonly (int Op, string Name, string Value)[] _steps;

    private HeaderEdits((int, string, string)[] steps) => _steps = steps;

    /// <summary>Combines the modifiers in order; null when there is nothing to do.</summary>
    public static HeaderEdits? Create(IEnumerable<HeaderModifierIr> modifiers)
    {
        var steps = new List<(int, string, string)>();
        foreach (var m in modifiers)
        {
            foreach (var kv in m.Set) steps.Add((0, kv.Key, kv.Value));
            foreach (var kv in m.Add) steps.Add((1, kv.Key, kv.Value));
            foreach (var name in m.Remove) steps.Add((2, name, ""));
        }
        return steps.Count == 0 ? null : new HeaderEdits([.. steps]);
    }

    /// <summary>The steps in order: Op 0 set, 1 add, 2 remove.</summary>
    public IReadOnlyList<(int Op, string Name, string Value)> Steps => _steps;

    public void Apply(IHeaderDictionary headers)
    {
        foreach (var (op, name, value) in _steps)
        {
            switch (op)
            {
                case 0: headers[name] = value; break;
                case 1:
                    // "add" appends to an existing value as one comma-separated list (as peers send it upstream).
                    headers[name] = headers.TryGetValue(name, out var existing) && existing.Count > 0
                        ? string.Join(',', existing.ToArray()) + "," + value
                        : value;
                    break;
                default: headers.Remove(name); break;
            }
        }
    }
}
