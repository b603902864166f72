namespace Causeway.DataPlane.Policies.Jwt;

/// <summary>Where a provider's current key set comes from: written in the configuration, or fetched and refreshed.</summary>
internal abstract class JwksSource
{
    /// <summary>The keys now, or null when none could be had yet (requests then get 401, they never wait).</summary>
    public abstract JwtKeySet? Current { get; }

    public abstract string Describe();
}
