namespace Causeway.DataPlane;

/// <summary>
/// What <see cref="DataPlane.ApplyAsync"/> did. <paramref name="ListenerFailures"/>: listener name (ListenerIr.Name) to
/// the reason it does not serve. <paramref name="BoundPorts"/>: <c>ns/gw:port</c> to the port actually bound.
/// </summary>
public sealed record ApplyReport(IReadOnlyDictionary<string, string> ListenerFailures, IReadOnlyDictionary<string, int> BoundPorts);
