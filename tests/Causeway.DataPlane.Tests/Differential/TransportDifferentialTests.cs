namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// The same request through the event loop, the Kestrel-side relay and Kestrel + YARP: the client and the backend must
/// not be able to tell which transport served it (issue 12, "Tests").
/// </summary>
[Collection(DiffCollection.Name)]
public sealed class TransportDifferentialTests(DiffGateways gateways)
{
    [Theory]
    [MemberData(nameof(TransportCorpus.Names), MemberType = typeof(TransportCorpus))]
    public Task Every_transport_behaves_the_same(string name) => DiffRunner.RunAsync(gateways, TransportCorpus.Find(name));
}
