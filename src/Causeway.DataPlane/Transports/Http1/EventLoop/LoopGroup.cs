using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// The fast path's event loops: one thread per processor the process may run on (or
/// <see cref="DataPlaneOptions.Http1EventLoopThreads"/>), each with its own epoll set, connections and backend pools.
/// Every loop accepts from every loop-served port, so connections spread over them.
/// </summary>
internal sealed class LoopGroup : IDisposable
{
    public LoopGroup(Http1FastPath owner, ILoggerFactory loggerFactory)
    {
        Owner = owner;
        var count = owner.Options.Http1EventLoopThreads > 0 ? owner.Options.Http1EventLoopThreads : Environment.ProcessorCount;
        var logger = loggerFactory.CreateLogger<Loop>();
        var loops = new List<Loop>(count);
        try
        {
            for (var i = 0; i < count; i++) loops.Add(new Loop(owner, i, logger));
        }
        catch
        {
            foreach (var l in loops) l.Dispose();
            throw;
        }
        Loops = [.. loops];
    }

    public Http1FastPath Owner { get; }
    public Loop[] Loops { get; }

    public void Dispose()
    {
        foreach (var l in Loops) l.Dispose();
    }
}
