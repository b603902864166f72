namespace Causeway.Model.Schema.Cel;

/// <summary>Variable bindings for CEL evaluation: an immutable linked list (innermost binding first).</summary>
internal sealed class CelEnv(string name, object? value, CelEnv? parent)
{
    public string Name { get; } = name;

    public object? Value { get; } = value;

    public CelEnv? Parent { get; } = parent;

    public object? Lookup(string name)
    {
        for (var e = this; e is not null; e = e.Parent)
        {
            if (ReferenceEquals(e.Name, name) || e.Name == name)
            {
                return e.Value;
            }
        }

        throw new CelException($"undeclared reference to '{name}'");
    }
}
