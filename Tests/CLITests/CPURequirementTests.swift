import CCPUFeatures
import Foundation
@testable import ContrastCLI
import TestSupport
import Testing

/// `contrast` on a CPU without the instructions it is built for: one line and exit 1, no crash.
@Suite struct CPURequirementTests {
    @Test func namesFollowTheFeatureBits() {
        let bits = [CCPU_AVX, CCPU_AVX2, CCPU_FMA, CCPU_F16C, CCPU_BMI1, CCPU_BMI2, CCPU_LZCNT, CCPU_MOVBE, CCPU_POPCNT].map { UInt32($0) }
        #expect(bits == CPURequirements.required.indices.map { 1 << $0 })
    }

    @Test func missingFeaturesAreNamed() {
        let all = UInt32(1 << CPURequirements.required.count) - 1
        #expect(CPURequirements.problem(features: all) == nil)
        let withoutAVX2AndFMA = all & ~UInt32(CCPU_AVX2 | CCPU_FMA)
        #expect(CPURequirements.missing(from: withoutAVX2AndFMA) == ["AVX2", "FMA"])
        #expect(CPURequirements.problem(features: withoutAVX2AndFMA)?.hasPrefix("this CPU lacks AVX2, FMA: ") == true)
        // This suite runs, so this CPU has them all.
        #expect(CPURequirements.problem() == nil)
    }

    /// The real binary on an emulated CPU of 2008 (Nehalem: SSE4.2, no AVX) through QEMU's user-mode
    /// emulator, which `make test` installs (Debian's qemu-user).
    @Test func olderCPUGetsOneLineAndExitOne() throws {
        let qemu = URL(fileURLWithPath: "/usr/bin/qemu-x86_64")
        try #require(FileManager.default.isExecutableFile(atPath: qemu.path),
                     "\(qemu.path) is missing: run scripts/install-deps.sh test (Debian package qemu-user)")
        let outcome = try CommandLineTests().run(["-cpu", "Nehalem", CommandLineTests.executable.path, "--help"], executable: qemu)
        #expect(outcome.status == 1, "exit \(outcome.status), stderr: \(outcome.stderr)")
        let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors == ["error: this CPU lacks AVX, AVX2, FMA, F16C, BMI1, BMI2, LZCNT, MOVBE: contrast needs an x86-64 CPU with AVX2 and FMA (Intel Haswell or AMD Zen and newer)"],
                "stderr: \(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }
}
