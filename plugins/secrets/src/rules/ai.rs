//! AI platforms.

use super::{C, H, Rule, Shape};

pub(super) const RULES: &[Rule] = &[
    rule!(
        "openai-api-key",
        "OpenAI API key",
        ["t3blbkfj"],
        r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,})\b"
    ),
    rule!(
        "anthropic-api-key",
        "Anthropic API key",
        ["sk-ant-"],
        r"\b(sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,})\b"
    ),
    rule!("huggingface-token", "Hugging Face access token", ["hf_"], r"\b(hf_[A-Za-z]{34})\b"),
    rule!("groq-api-key", "Groq API key", ["gsk_"], r#"\b(gsk_[A-Za-z0-9]{52})\b"#),
    rule!("xai-api-key", "xAI API key", ["xai-"], r#"\b(xai-[A-Za-z0-9]{80})\b"#),
    rule!("perplexity-api-key", "Perplexity API key", ["pplx-"], r#"\b(pplx-[A-Za-z0-9]{48})\b"#),
    rule!("openrouter-api-key", "OpenRouter API key", ["sk-or-v1-"], r#"\b(sk-or-v1-[a-f0-9]{64})\b"#),
    rule!("replicate-api-token", "Replicate API token", ["r8_"], r#"\b(r8_[A-Za-z0-9]{37})\b"#),
    rule!("langsmith-api-key", "LangSmith API key", ["lsv2_"], r#"\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\b"#),
    rule!("pinecone-api-key", "Pinecone API key", ["pcsk_"], r#"\b(pcsk_[A-Za-z0-9]{5,7}_[A-Za-z0-9]{60,70})\b"#),
    token!("huggingface-org-token", "Hugging Face organization API token", "api_org_", alpha, 34),
    token!("nvidia-api-key", "NVIDIA API key", "nvapi-", url, 64),
    token!("tavily-api-key", "Tavily API key", "tvly-", alnum, 32),
    token!("cerebras-api-key", "Cerebras API key", "csk-", lower, 48),
    token!("jina-api-key", "Jina AI API key", "jina_", url, 60),
    token!("langfuse-secret-key", "Langfuse secret key", "sk-lf-", uuid, 36),
    keyed!("cohere-api-key", "Cohere API key", "cohere", alnum, 40),
    keyed!("mistral-api-key", "Mistral AI API key", "mistral", alnum, 32),
    keyed!("deepseek-api-key", "DeepSeek API key", "deepseek", "sk-" hex, 32),
    keyed!("together-api-key", "Together AI API key", "together", hex, 64),
    keyed!("assemblyai-api-key", "AssemblyAI API key", "assemblyai", hex, 32),
    keyed!("elevenlabs-api-key", "ElevenLabs API key", "elevenlabs", "sk_" hex, 48),
    keyed!("deepgram-api-key", "Deepgram API key", "deepgram", hex, 40),
    keyed!("stability-api-key", "Stability AI API key", "stability", "sk-" alnum, 48),
    keyed!("voyage-api-key", "Voyage AI API key", "voyage", "pa-" url, 43),
    keyed!("wandb-api-key", "Weights & Biases API key", "wandb", hex, 40),
    keyed!("clarifai-api-key", "Clarifai API key", "clarifai", hex, 32),
    keyed!("serpapi-api-key", "SerpApi API key", "serpapi", hex, 64),
    keyed!("fireworks-api-key", "Fireworks AI API key", "fireworks", "fw_" alnum, 24),
    keyed!("privateai-api-key", "Private AI API key", "private_ai", hex, 32),
];
