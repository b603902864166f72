namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// The smuggling corpus through every transport (issue 17, section 3): reject with 400 and close, or forward exactly
/// the requests the bytes hold, and the event loop, the Kestrel relay and Kestrel + YARP agree on every case.
/// </summary>
[Collection(DiffCollection.Name)]
public sealed class SmugglingDifferentialTests(DiffGateways gateways)
{
    [Theory]
    [MemberData(nameof(SmugglingCorpus.Names), MemberType = typeof(SmugglingCorpus))]
    public async Task Every_transport_rejects_or_forwards_exactly_once(string name)
    {
        var c = SmugglingCorpus.Find(name);
        await DiffRunner.RunAsync(gateways, c);
        // Whatever the transport, nothing smuggled reached the backend and a 400 closed the connection.
        Assert.DoesNotContain(gateways.Backend.Received, r => r.Path == "/plain/smuggled" && c.Responses < 2);
        Assert.DoesNotContain(gateways.Backend.Received, r => r.RequestLine == "UNPARSEABLE");
        if (c.Status == 400)
            Assert.True((await ClientObservation.CaptureAsync(gateways.Port(Transport.EventLoop), c)).EndsWith("closed\n", StringComparison.Ordinal), "400 must close the connection");
    }
}
