using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ResponseOverride;

/// <summary>
/// The client's request as a transport presents it to a response override: what a redirect's Location is built from
/// (scheme, Host, path and query as the client sent them, the listener's port). Asked only when a redirect rule matches.
/// </summary>
internal interface IOverrideRequest
{
    /// <summary>The Location of <paramref name="redirect"/> for this request (<see cref="Filters.RedirectBuilder"/>).</summary>
    string Location(RedirectIr redirect);
}
