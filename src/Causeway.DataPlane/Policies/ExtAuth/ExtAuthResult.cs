namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>What an external authorization check concluded.</summary>
internal enum ExtAuthResult
{
    Allow,
    Deny,

    /// <summary>The service failed, timed out or answered something unusable (then failOpen decides).</summary>
    Error,
}
