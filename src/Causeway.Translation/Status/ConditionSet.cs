using Causeway.Model;
using Causeway.Model.Objects;

namespace Causeway.Translation.Status;

/// <summary>
/// Builds one object's (or listener's, or parent's) conditions. A condition whose status did not change keeps the
/// lastTransitionTime it had in the previous translation.
/// </summary>
internal sealed class ConditionSet(long generation, DateTimeOffset now, IReadOnlyList<Condition>? previous)
{
    private readonly List<Condition> _items = new(4);

    public ConditionSet Set(string type, bool status, string reason, string message)
    {
        var s = status ? "True" : "False";
        var since = now;
        if (previous is not null)
        {
            foreach (var c in previous)
            {
                if (c.Type != type) continue;
                if (c.Status == s) since = c.LastTransitionTime;
                break;
            }
        }
        for (var i = _items.Count - 1; i >= 0; i--)
            if (_items[i].Type == type) _items.RemoveAt(i);
        _items.Add(new Condition { Type = type, Status = s, Reason = reason, Message = message, ObservedGeneration = generation, LastTransitionTime = since });
        return this;
    }

    public EquatableArray<Condition> Build() => new(System.Collections.Immutable.ImmutableArray.Create(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_items)));
}
