using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using RoomsPortal.Core.Otps;

namespace RoomsPortal.MicroBench;

/// <summary>
/// The per-code work of the OTP path, on the real <see cref="OtpCode"/> methods: normalising what a technician typed,
/// hashing it (HMAC-SHA256 with the portal's key) and generating a new code. A redemption normalises and hashes once;
/// a batch of N generates, normalises and hashes N times.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class OtpCodeBenchmarks
{
    private readonly StaticOtpKeyProvider _keys = new(RandomNumberGenerator.GetBytes(OtpCode.MinKeyBytes));
    private string _typed = "";
    private string _normalized = "";

    [GlobalSetup]
    public void Setup()
    {
        var code = OtpCode.Generate();
        // As typed on a console: lower case, dashes turned to spaces.
        _typed = code.ToLowerInvariant().Replace('-', ' ');
        _normalized = OtpCode.Normalize(code)!;
    }

    [Benchmark]
    public string? Normalize() => OtpCode.Normalize(_typed);

    [Benchmark]
    public string Hash() => OtpCode.Hash(_keys, _normalized);

    [Benchmark]
    public string Generate() => OtpCode.Generate();

    /// <summary>What a redemption does with the typed code before it looks the hash up.</summary>
    [Benchmark]
    public string NormalizeAndHash() => OtpCode.Hash(_keys, OtpCode.Normalize(_typed)!);
}
