namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>Where a custom access log's lines go: a file or stdout writer's queue, or an OTLP exporter. Never blocks.</summary>
internal interface IAccessLogSink
{
    void Enqueue(AccessLogEntry entry, LineFormatter formatter);
}
