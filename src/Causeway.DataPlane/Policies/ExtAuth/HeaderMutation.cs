namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>How a header of an allowing answer changes the request the backend gets.</summary>
internal enum MutationKind
{
    /// <summary>Replaces any the client sent.</summary>
    Set,

    /// <summary>Adds a line after the client's.</summary>
    Append,

    Remove,
}

/// <summary>One header edit an allowing answer asks for.</summary>
internal readonly record struct HeaderMutation(MutationKind Kind, string Name, string? Value = null);
