"""StreamField blocks trainers use to write repair training lessons."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "courses/blocks/image_with_caption_block.html"


class VideoBlock(blocks.StructBlock):
    """A training video: an uploaded file (kept in the document library) or an embed URL."""

    title = blocks.CharBlock(label=_("title"), required=False, max_length=120)
    file = DocumentChooserBlock(label=_("uploaded video file"), required=False)
    embed = EmbedBlock(label=_("or embed URL"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video_block.html"

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks.struct_block import StructBlockValidationError

        cleaned = super().clean(value)
        if not cleaned.get("file") and not cleaned.get("embed"):
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(_("Choose a video file or give an embed URL."))
                }
            )
        return cleaned


class DownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    description = blocks.CharBlock(label=_("description"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Downloadable document")
        template = "courses/blocks/download_block.html"


class SafetyWarningBlock(blocks.StructBlock):
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("danger", _("Danger")), ("warning", _("Warning")), ("caution", _("Caution"))],
        default="warning",
    )
    text = blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "ol", "ul"])

    class Meta:
        icon = "warning"
        label = _("Safety warning")
        template = "courses/blocks/safety_warning_block.html"


class ProcedureStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("step title"), max_length=120)
    instruction = blocks.RichTextBlock(label=_("instruction"), features=["bold", "ol", "ul"])
    image = ImageChooserBlock(label=_("image"), required=False)


class ProcedureBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("procedure title"), max_length=120)
    steps = blocks.ListBlock(ProcedureStepBlock(), label=_("steps"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Numbered procedure")
        template = "courses/blocks/procedure_block.html"


class FaultCodeRowBlock(blocks.StructBlock):
    code = blocks.CharBlock(label=_("code"), max_length=20)
    meaning = blocks.CharBlock(label=_("meaning"), max_length=200)
    check = blocks.TextBlock(label=_("what to check"))


class FaultCodeTableBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120, required=False)
    rows = blocks.ListBlock(FaultCodeRowBlock(), label=_("codes"), min_num=1)

    class Meta:
        icon = "table"
        label = _("Fault-code table")
        template = "courses/blocks/fault_code_table_block.html"


class QuizBlock(blocks.StructBlock):
    """A quiz placed in a lesson: a start or resume button and the learner's best result.
    Passing the quiz completes the lesson."""

    quiz = SnippetChooserBlock("courses.Quiz", label=_("quiz"))
    intro = blocks.TextBlock(label=_("introduction"), required=False)

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        template = "courses/blocks/quiz_block.html"

    def get_context(self, value, parent_context=None):
        from .quiz.selectors import quiz_summary_for

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        quiz = value.get("quiz")
        if request is not None and quiz is not None:
            context["summary"] = quiz_summary_for(user=request.user, quiz=quiz)
        return context


class LessonStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        label=_("Text"), icon="pilcrow", template="courses/blocks/rich_text_block.html"
    )
    image = ImageWithCaptionBlock()
    video = VideoBlock()
    download = DownloadBlock()
    safety_warning = SafetyWarningBlock()
    procedure = ProcedureBlock()
    fault_codes = FaultCodeTableBlock()
    quiz = QuizBlock()
