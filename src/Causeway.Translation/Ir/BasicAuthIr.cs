using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>HTTP basic authentication against htpasswd entries (<c>{SHA}</c> or bcrypt).</summary>
public sealed record BasicAuthIr
{
    /// <summary><c>namespace/name</c> of the Secret the users came from.</summary>
    public required string Source { get; init; }

    public EquatableArray<HtpasswdUserIr> Users { get; init; } = EquatableArray<HtpasswdUserIr>.Empty;

    /// <summary>Header that carries the authenticated user name to the backend, or null.</summary>
    public string? ForwardUsernameHeader { get; init; }
}
