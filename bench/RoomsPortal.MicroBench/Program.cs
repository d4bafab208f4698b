using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Pick benchmarks and jobs on the command line (BenchmarkDotNet's own options, e.g. --filter '*' --job short).
// Results land in artifacts/microbench/ under the directory it is started from.
var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine("artifacts", "microbench"));
BenchmarkSwitcher.FromAssembly(typeof(RoomsPortal.MicroBench.OtpCodeBenchmarks).Assembly).Run(args, config);
