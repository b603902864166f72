using System.Diagnostics;
using System.Reflection;

namespace Causeway.Telemetry;

/// <summary>The process and the .NET runtime: CPU, memory, descriptors, GC, thread pool, and the build.</summary>
public sealed class ProcessCollector : IMetricsCollector
{
    private static readonly string[] None = [];
    private readonly string _version;
    private readonly double _start;

    public ProcessCollector()
    {
        var asm = Assembly.GetEntryAssembly() ?? typeof(ProcessCollector).Assembly;
        _version = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString() ?? "unknown";
        using var p = Process.GetCurrentProcess();
        _start = new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }

    public void Collect(MetricsWriter w)
    {
        w.Add("causeway_build_info", MetricType.Gauge, "Causeway's version (always 1)", ["version"], [_version], 1);
        using var p = Process.GetCurrentProcess();
        w.Add("process_cpu_seconds_total", MetricType.Counter, "User and system CPU time", None, None, p.TotalProcessorTime.TotalSeconds);
        w.Add("process_resident_memory_bytes", MetricType.Gauge, "Resident set size", None, None, p.WorkingSet64);
        w.Add("process_virtual_memory_bytes", MetricType.Gauge, "Virtual memory size", None, None, p.VirtualMemorySize64);
        w.Add("process_start_time_seconds", MetricType.Gauge, "Start time since the Unix epoch", None, None, _start);
        try
        {
            w.Add("process_open_fds", MetricType.Gauge, "Open file descriptors", None, None, Directory.GetFiles("/proc/self/fd").Length);
        }
        catch (IOException)
        {
            // Not Linux: no /proc.
        }
        catch (UnauthorizedAccessException)
        {
        }
        for (var g = 0; g <= GC.MaxGeneration; g++)
            w.Add("dotnet_gc_collections_total", MetricType.Counter, "Garbage collections by generation", ["generation"], [g.ToString(System.Globalization.CultureInfo.InvariantCulture)], GC.CollectionCount(g));
        w.Add("dotnet_gc_heap_size_bytes", MetricType.Gauge, "Managed heap size after the last collection", None, None, GC.GetGCMemoryInfo().HeapSizeBytes);
        w.Add("dotnet_gc_allocated_bytes_total", MetricType.Counter, "Bytes allocated on the managed heap", None, None, GC.GetTotalAllocatedBytes());
        w.Add("dotnet_gc_pause_seconds_total", MetricType.Counter, "Time paused for garbage collection", None, None, GC.GetTotalPauseDuration().TotalSeconds);
        w.Add("dotnet_threadpool_threads", MetricType.Gauge, "Thread-pool threads", None, None, ThreadPool.ThreadCount);
        w.Add("dotnet_threadpool_queue_length", MetricType.Gauge, "Work items queued to the thread pool", None, None, ThreadPool.PendingWorkItemCount);
        w.Add("dotnet_threadpool_completed_items_total", MetricType.Counter, "Work items the thread pool completed", None, None, ThreadPool.CompletedWorkItemCount);
    }
}
