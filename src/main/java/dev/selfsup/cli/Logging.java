package dev.selfsup.cli;

/**
 * Logging defaults of the command-line program (slf4j-simple); a library user's backend is
 * untouched.
 */
final class Logging {
    private Logging() {}

    static void configure() {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        // DJL's start-up chatter (native extraction, CUDA probing on CPU builds) is not for users.
        setDefault("org.slf4j.simpleLogger.log.ai.djl", "warn");
        setDefault("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
