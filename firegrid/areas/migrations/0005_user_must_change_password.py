from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0004_user_contractor_alter_user_role'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='must_change_password',
            field=models.BooleanField(default=False, help_text='下次登录后须先修改密码才能使用系统（如演示账号、管理员重置的密码）。', verbose_name='须修改密码'),
        ),
    ]
