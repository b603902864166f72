using System.Text.Json.Serialization;

namespace Causeway.Model.Objects;

/// <summary>Where an object came from: the file and the line of its document.</summary>
public sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

public sealed record ObjectMeta
{
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyMap;
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = EmptyMap;
    public long Generation { get; init; }
    public DateTimeOffset? CreationTimestamp { get; init; }
    public string? ResourceVersion { get; init; }
    public string? Uid { get; init; }
    public DateTimeOffset? DeletionTimestamp { get; init; }

    internal static readonly IReadOnlyDictionary<string, string> EmptyMap = new Dictionary<string, string>();
}

/// <summary>A Kubernetes object as Causeway reads it. Status is never read from input: the translator decides it.</summary>
public abstract record KubeObject
{
    public string ApiVersion { get; init; } = "";
    public string Kind { get; init; } = "";
    public ObjectMeta Metadata { get; init; } = new();

    [JsonIgnore]
    public SourceLocation? Source { get; init; }

    [JsonIgnore]
    public string Name => Metadata.Name;

    [JsonIgnore]
    public string Namespace => Metadata.Namespace ?? "";

    [JsonIgnore]
    public ObjectKey Key => new(Kind, Namespace, Name);

    [JsonIgnore]
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    /// <summary>"Kind namespace/name" (or "Kind name" when cluster-scoped), as used in error messages.</summary>
    public string Describe() => Key.ToString();
}

/// <summary>Identity of an object in a snapshot.</summary>
public readonly record struct ObjectKey(string Kind, string Namespace, string Name) : IComparable<ObjectKey>
{
    public override string ToString() => Namespace.Length == 0 ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    public int CompareTo(ObjectKey other)
    {
        var c = string.CompareOrdinal(Kind, other.Kind);
        if (c != 0) return c;
        c = string.CompareOrdinal(Namespace, other.Namespace);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }
}
