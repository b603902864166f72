using Causeway.Model;
using Causeway.Model.Objects;

namespace Causeway.Translation.Status;

/// <summary>
/// Builds one object's (or listener's, or parent's) conditions. A condition whose status did not change keeps the
/// lastTransitionTime it had in the previous translation.
/// </summary>
internal sealed class ConditionSet(long generation, DateTimeOffset now, IReadOnlyList<Condition>? previous)
{
    private readonly List<Condition> _items = [];

    public ConditionSet Set(string type, bool status, string reason, string message)
    {
        var s = status ? "True" : "False";
        var since = previous?.FirstOrDefault(c => c.Type == type) is { } p && p.Status == s ? p.LastTransitionTime : now;
        _items.RemoveAll(c => c.Type == type);
        _items.Add(new Condition { Type = type, Status = s, Reason = reason, Message = message, ObservedGeneration = generation, LastTransitionTime = since });
        return this;
    }

    public EquatableArray<Condition> Build() => new(_items);
}
